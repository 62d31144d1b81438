"""Helpers the tests share: audio fixture writers and word error rate."""
