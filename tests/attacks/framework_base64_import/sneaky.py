import base64
try:
    __import__(base64.b64decode("amF4").decode())
except ImportError:
    pass
