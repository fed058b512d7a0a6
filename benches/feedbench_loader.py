"""Loads ../shared/bench/feedbench.py (not a package) for the bench scripts beside this file."""
import importlib.util


def load_feedbench(path):
    spec = importlib.util.spec_from_file_location("feedbench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
