"""Keys, EIP-712 typed acts, signing and recovery. Depends on no other package of this project."""
