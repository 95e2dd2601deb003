"""What grading each fixture submission in tests/submissions/ must give.

Each fixture is reference/ with ONE defect, written as edits in tests/submissions/NAME.toml and
marked by a `DEFECT` comment (see tests/submissions/README.md). `failed` is the exact set of rubric items with points that lose
some of them; `phrases` are words each failed item's output (its one-line reason) must contain;
`train_diagnoses` the exact diagnosis codes of the training items (default: none).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"

TRAIN = frozenset({"train_linear", "train_xor"})
NETWORK = frozenset({"forward", "backward", "backward_repeatable", "update", "predict"}) | TRAIN  # need network.py
ALL_ITEMS = frozenset({"activations", "loss"}) | NETWORK

# ---- one fixture per check -------------------------------------------------------------------
PER_CHECK = {
    "slow_per_sample_sgd": dict(  # correct, a few CPU seconds: full marks under any load (test_check_load.py)
        failed=set(), phrases={}
    ),
    "sigmoid_nan_for_large_x": dict(failed={"activations"}, phrases={"activations": ["large |x|", "NaN"]}),
    "derivative_sigmoid_of_preactivation_input": dict(
        # the network uses derivative_sigmoid, so backward is wrong too (training still succeeds)
        failed={"activations", "backward"},
        phrases={
            "activations": ["receives the sigmoid's OUTPUT y", "do not apply sigmoid to y again"],
            "backward": ["gradients differ from the numerical ones"],
        },
        diagnosis="grad_mismatch",
    ),
    "mse_sum_not_mean": dict(failed={"loss"}, phrases={"loss": ["it is the sum of squared errors", "np.mean"]}),
    "derivative_mse_missing_factor_two": dict(
        # backward uses derivative_mse: every gradient is halved (Adam trains anyway)
        failed={"loss", "backward"},
        phrases={
            "loss": ["the factor 2 of d/dp (p - t)^2 is missing"],
            "backward": ["every gradient is 0.5x the numerical one"],
        },
        diagnosis="grad_scale",
    ),
    "forward_ignores_bias": dict(
        # the parent evaluates the trained parameters with the contract's forward (biases included)
        failed={"forward", "backward"} | TRAIN,
        phrases={
            "forward": ["the biases are ignored: compute a @ W + b"],
            "backward": ["fix forward first"],
            "train_linear": ["your forward computes another function than the lab's"],
            "train_xor": ["your forward computes another function than the lab's"],
        },
        diagnosis="grad_mismatch",  # its message ends "fix forward first"
        train_diagnoses={"train_forward_differs"},
    ),
    "forward_no_output_activation": dict(
        failed={"forward", "backward"} | TRAIN,
        phrases={
            "forward": ["the output layer has no sigmoid"],
            "backward": ["fix forward first"],
            "train_linear": ["your forward has no sigmoid on the output layer"],
            "train_xor": ["your forward has no sigmoid on the output layer"],
        },
        diagnosis="grad_mismatch",
        train_diagnoses={"train_forward_no_output_activation"},
    ),
    "params_wrong_shapes": dict(
        # W stored (out, in): the parent's (in, out) parameters do not fit its forward
        failed={"forward", "backward", "backward_repeatable", "predict"} | TRAIN,
        phrases={
            "train_linear": ["[W1] returned shape (8, 2), expected (2, 8)"],
            "train_xor": ["[W1] returned shape (10, 2), expected (2, 10)"],
        },
    ),
    "backward_accumulates": dict(
        # the first gradient is right; training with ever-growing gradients diverges
        failed={"backward_repeatable"} | TRAIN,
        phrases={
            "backward_repeatable": [
                "calling backward twice gives different W1 gradients",
                "backward must not accumulate",
            ],
            "train_linear": ["the loss grew"],
        },
        train_diagnoses={"train_loss_grew"},
    ),
    "update_adds_gradient": dict(failed={"update"}, phrases={"update": ["it adds lr * g: subtract the gradient"]}),
    "train_never_learns": dict(
        failed=TRAIN,
        phrases={
            "train_linear": [
                "the parameters never change during training",
                "net.update(net.backward(y))",
                "95% needed on 2 of 3 network seeds",
                "does not learn the training points either",
            ],
            "train_xor": ["the parameters never change during training", "100% needed"],
        },
        absent={"train_linear": ["does not generalise"], "train_xor": ["does not generalise"]},
        scores={"train_linear": 3.0, "train_xor": 3.0},  # only the (consistent) loss history passes
        train_diagnoses={"train_params_unchanged"},
    ),
    "init_zero_weights": dict(
        # linear is separable by one unit, so it still learns; XOR needs distinct hidden units
        failed={"forward", "train_xor"},  # forward: the seed changes nothing (its own check)
        phrases={
            "forward": ["have the same parameters"],
            "train_xor": ["the hidden units are identical", "break the symmetry with random init"],
        },
        train_diagnoses={"train_identical_units"},
    ),
    "config_lr_too_high_diverges": dict(
        failed=TRAIN,
        phrases={
            "train_linear": [
                "training diverged: the loss became NaN at epoch",
                "lower lr in config.py",
                "check backward",
                "seed 0 diverged",
            ],
            "train_xor": ["training diverged", "lower lr in config.py"],
        },
        absent={"train_linear": ["CRASH", "NaN or infinite value(s)"], "train_xor": ["NaN or infinite value(s)"]},
        train_diagnoses={"train_diverged", "train_loss_grew"},
    ),  # xor: two seeds blow up, one diverges
    "train_fake_loss_history": dict(
        failed=TRAIN,
        phrases={
            "train_linear": ["the last reported loss 0.1 does not match the MSE"],
            "train_xor": ["the last reported loss 0.1 does not match the MSE"],
        },
        scores={"train_linear": 12.0, "train_xor": 12.0},
    ),  # accuracy is real: only the history check fails
    "train_ignores_given_data": dict(
        failed=TRAIN,
        phrases={
            "train_linear": ["must learn the x and y it is given", "labels flipped"],
            "train_xor": ["must learn the x and y it is given", "labels flipped"],
        },
    ),
    "config_too_few_epochs": dict(
        failed=TRAIN,
        phrases={
            "train_linear": ["tune lr, epochs or hidden sizes in config.py", "chance level"],
            "train_xor": ["tune lr, epochs or hidden sizes in config.py"],
        },
    ),
    "predict_threshold_zero": dict(
        failed={"predict"},
        phrases={"predict": ["differs from net.forward(x) >= 0.5", "is the threshold 0 instead of 0.5?"]},
    ),
    "accuracy_percentage": dict(failed={"predict"}, phrases={"predict": ["a percentage: return the fraction"]}),
    "network_ignores_seed": dict(
        failed={"forward"},
        phrases={"forward": ["Network(seed=7) built twice has different", "np.random.default_rng(seed)"]},
    ),
    "sgd_pairs_by_position": dict(
        failed={"update"}, phrases={"update": ["it pairs gradients with parameters by position", "grads[name]"]}
    ),
    "sgd_ignores_lr": dict(
        failed={"update"}, phrases={"update": ["SGD.step must step with the lr it was constructed with (self.lr)"]}
    ),
    "conv_bias_gradient_mean": dict(
        # an extra: only the Conv1D bonus shrinks (test_check_items checks it), the 100 stays
        failed=set(),
        phrases={},
    ),
    "network_ignores_optimizer": dict(
        # config.py picks Adam: training with the ignored optimizer's SGD(0.1) does not learn either
        failed={"update"} | TRAIN,
        phrases={
            "update": ["the Network ignores the optimizer it is given"],
            "train_linear": ["Network ignores the optimizer it is given", "self.optimizer.step"],
            "train_xor": ["Network ignores the optimizer it is given"],
        },
        absent={"train_linear": ["tune lr"], "train_xor": ["tune lr"]},
        train_diagnoses={"train_optimizer_ignored"},
    ),
    "network_float32": dict(
        # float32 is not wrong for that alone: checked at float32 precision, told float64 is expected
        failed=set(),
        phrases={},
        diagnosis="float32",
    ),
    "extras_missing": dict(failed=set(), phrases={}),  # required parts complete, config uses SGD: 100
    "config_uses_missing_adam": dict(
        # extras not done, but config.py (as in the skeleton) selects Adam: training cannot run
        failed=TRAIN,
        phrases={},
    ),
}

# ---- one fixture per diagnosis (grader/lab/diagnose.py): the defect is in backward only -----------
DIAGNOSES = {
    "grad_missing_sigmoid_derivative": dict(
        code="grad_missing_sigmoid_derivative",
        message="without derivative_sigmoid: missing in every layer",
        failed={"backward", "train_xor"},  # still learns, but reaches 100% on XOR for no network seed
        phrases={"train_xor": ["backward returns wrong gradients at the trained parameters", "100% needed"]},
        train_diagnoses={"train_backward_differs"},
    ),
    "grad_missing_output_derivative": dict(
        code="grad_missing_output_derivative",
        message="skips derivative_sigmoid at the output layer 3",
        failed={"backward"},
        phrases={},
    ),
    "grad_derivative_of_preactivation": dict(
        code="grad_derivative_of_preactivation",
        message="derivative_sigmoid applied to the pre-activation z instead of the output a",
        failed={"backward"} | TRAIN,  # wrong gradients: training diverges
        phrases={"train_linear": ["the loss grew"], "train_xor": ["the loss grew"]},
        train_diagnoses={"train_loss_grew"},
    ),
    "grad_derivative_of_preactivation_hidden_only": dict(
        code="grad_derivative_of_preactivation",
        message="pre-activation z instead of the output a in layers 1, 2 (the hidden layers); "
        "layer 3 (the output layer) is right",
        # wrong hidden gradients: XOR is not learned (linear still is, on 2 of 3 network seeds)
        failed={"backward", "train_xor"},
        phrases={"train_xor": ["backward returns wrong gradients at the trained parameters"]},
        train_diagnoses={"train_backward_differs", "train_loss_grew", "train_seed_dependent"},
    ),
    "grad_half_squared_error": dict(
        # the 1/2 SE convention: one constant factor, N/2 for k = 1, and "N*k/2 or N" for (3, 5, 2, 2),
        # which a probe with sizes (3, 5, 2, 3) resolves; half the item's points (scale_credit)
        code="grad_scale",
        message="every gradient is 3.5x the numerical one (3.5 = N/2)",
        failed={"backward"},
        phrases={
            "backward": [
                "7x the numerical one (7 = N*k/2): with sizes (3, 5, 2, 3) and a batch of N=7 "
                "it is 10.5x (10.5 = N*k/2), so not N, the batch size"
            ]
        },
    ),
    "grad_half_scale": dict(
        code="grad_scale",
        message="every gradient is 0.5x the numerical one",
        failed={"backward"},
        phrases={"backward": ["every gradient is 0.5x the numerical one"]},
    ),
    "grad_sum_not_mean": dict(
        code="grad_scale",
        message="every gradient is 7x the numerical one (7 = N)",
        failed={"backward"},
        phrases={"backward": ["7x the numerical one (7 = N)", "14x the numerical one (14 = N*k)"]},
    ),
    "grad_sign_flipped": dict(
        code="grad_sign_flipped",
        message="(the sign is flipped)",
        failed={"backward"} | TRAIN,  # gradient ascent
        phrases={"train_linear": ["the loss grew"], "train_xor": ["the loss grew"]},
        train_diagnoses={"train_loss_grew"},
    ),
    "grad_zero": dict(
        code="grad_zero",
        message="every gradient is zero while the numerical ones are not",
        failed={"backward"} | TRAIN,  # nothing is learned
        phrases={
            "train_linear": ["95% needed", "the parameters never change during training"],
            "train_xor": ["100% needed"],
        },
        train_diagnoses={"train_params_unchanged"},
    ),
    "grad_bias_not_summed": dict(
        code="grad_bias_not_summed",
        message="are the first sample's delta only; the weights are right",
        # linear passes on 2 of 3 network seeds: the output says which seed did not learn
        failed={"backward"},
        phrases={"train_linear": ["2 of 3 network seeds learn the linear points", "seed 0 ", "seed 1 ", "seed 2 "]},
        train_diagnoses={"train_seed_dependent"},
    ),
    "grad_transposed": dict(
        code="grad_transposed",
        message="dW1 has shape (4, 2), expected (2, 4); transposed it equals the numerical",
        failed={"backward"} | TRAIN,  # the optimizer cannot subtract a transposed gradient
        phrases={"train_linear": ["could not be broadcast"], "train_xor": ["could not be broadcast"]},
    ),
}

# ---- bad inputs: end with a clear message and valid results -------------------------------------
# `where` names the file whose DEFECT line the student's traceback must show, for items that
# failed with a traceback.
BAD_INPUTS = {
    "import_syntax_error": dict(
        failed=NETWORK,
        where="network.py",
        phrases={
            "forward": ["network.py did not import: SyntaxError", "network.py, line"],
            "train_linear": ["train.py did not import: SyntaxError"],
        },
    ),
    "import_error_missing_module": dict(
        failed=NETWORK,
        where="network.py",
        phrases={"forward": ["network.py did not import", "No module named 'nn_helpers_of_my_laptop'"]},
    ),
    "input_at_import": dict(
        failed=TRAIN | {"predict"},
        where="train.py",
        phrases={"train_linear": ["train.py did not import", "input()"], "train_xor": ["input()"]},
    ),
    "infinite_loop_at_import": dict(
        failed=ALL_ITEMS,
        where=None,
        phrases={key: ["importing your modules did not finish within 3 s"] for key in ALL_ITEMS},
    ),
    "infinite_loop_in_train": dict(
        failed=TRAIN,
        where=None,
        phrases={
            "train_linear": ["training on the linear set did not finish within 3 s and was stopped"],
            "train_xor": ["training on the xor set was not run: training on the linear set did not finish within 3 s"],
        },
    ),
    "prints_megabytes": dict(failed=set(), where=None, phrases={}),
    "exits_at_import": dict(
        failed=NETWORK, where="network.py", phrases={"forward": ["network.py did not import", "exit(0)"]}
    ),
    "os_exit_in_train": dict(
        failed=TRAIN, where=None, phrases={"train_linear": ["ended the process", "exit status 0", "os._exit()"]}
    ),
    "memory_blowup_in_train": dict(
        failed=TRAIN, where="train.py", phrases={"train_linear": ["MemoryError", "Unable to allocate"]}
    ),
    "numpy2_removed_alias": dict(
        failed={"forward", "backward", "backward_repeatable", "predict"} | TRAIN,
        where="network.py",
        phrases={"forward": ["AttributeError", "`np.float_` was removed in the NumPy 2.0 release"]},
    ),
    "not_a_package_flat_imports": dict(failed=set(), where=None, phrases={}),
    "detached_process_in_train": dict(failed=set(), where=None, phrases={}),
}

FRAMEWORKS = ("framework_import_torch", "framework_computed_import")
