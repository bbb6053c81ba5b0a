"""Importing mnisttutor in a Jupyter kernel prints nothing: the setup cell of every
notebook imports it, and a red warning there is the first thing a learner sees."""

from __future__ import annotations

import os

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.slow


def test_import_in_a_kernel_without_ipywidgets_prints_nothing(tmp_path):
    # A fresh Jupyter or Colab-like environment without ipywidgets: there, importing
    # tqdm.auto (pooch does) warns "IProgress not found" (tqdm/tqdm#1082).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONWARN"))}
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path), env=env)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        printed = []

        def hook(message):
            if message["msg_type"] in ("stream", "error", "display_data"):
                printed.append(message["content"])

        code = "import sys\nsys.modules['ipywidgets'] = None  # not installed\nimport mnisttutor"
        reply = client.execute_interactive(code, output_hook=hook, timeout=120)
        assert reply["content"]["status"] == "ok"
        assert printed == []
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
