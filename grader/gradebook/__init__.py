"""`grade gradebook`: the TA's manual report scores merged into a batch's gradebook, and LMS import files.

    from grader.gradebook.sheet import read_sheet, write_sheet      # OUT/manual.csv
    from grader.gradebook.merge import merge_sheet                  # scores -> gradebook.csv, feedback.html
    from grader.gradebook.export import export_gradebook            # Canvas / Moodle import CSV

Modules: sheet, merge, export, cli.
"""
