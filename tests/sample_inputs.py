"""Inputs shared by the integration tests."""

QUESTION = "Should we lower the speed limit on roads?"
OPINIONS = (
    "Lower limits save lives, especially near schools and in towns.",
    "I drive for work and slower roads would cost me time and money.",
    "Enforcement matters more than the number on the sign; many people already speed.",
)
