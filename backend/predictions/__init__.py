"""Customer lifetime value, churn and next-order predictions (docs/predictions.md)."""
