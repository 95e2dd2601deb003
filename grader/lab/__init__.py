"""The lab's trusted math: the contract's spec, the gradient checker, diagnoses and datasets."""
