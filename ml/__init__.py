"""Machine-learning step of the loan-recovery warehouse: data generator, segmentation and risk scoring."""
