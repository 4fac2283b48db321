"""Registered trademarks: the Nice classes, the similar-mark lookup and the mark's own rules of the register."""
