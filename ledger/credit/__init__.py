"""Credit supervision: the credit records' vocabulary and projection, the grading model, the lists and warnings,
and random inspections. The chain records acts (contracts/CreditRegistry.sol); everything here is derived."""
