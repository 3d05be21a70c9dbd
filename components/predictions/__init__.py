"""Predictions widgets: the backtest chart, the CLV distribution, the profile card."""
