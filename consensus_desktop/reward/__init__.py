"""Personalized reward: each participant's predicted agreement (1–7) with each candidate."""
