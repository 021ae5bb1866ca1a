"""Trained-model bookkeeping: a model is named by the fingerprint of everything it was built from,
so an unchanged project reuses its model instead of training again."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.paths import MODELS, PROJECT_ROOT

# What a model depends on: its config, domain, training data, the lexicon, the FAQ (the classifier
# reads its questions, bot/nlu/reference.py), and the NLU code.
FINGERPRINT_INPUTS = ("config.yml", "domain.yml", "intents", "knowledge/lexicon", "knowledge/safety", "knowledge/faq",
                      "knowledge/normalize", "bot/nlu", "bot/normalize.py", "bot/entities", "bot/safety.py", "bot/scope.py",
                      "bot/taxonomy.py")


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in FINGERPRINT_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if f.suffix == ".pyc" or "__pycache__" in f.parts:
                continue
            digest.update(str(f.relative_to(root)).encode())
            digest.update(f.read_bytes())
    import rasa

    digest.update(rasa.__version__.encode())
    return digest.hexdigest()[:12]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return MODELS / f"hotline-{fingerprint(root)}.tar.gz"


def ensure_trained(force: bool = False) -> Path:
    """Returns the model for the current data and config, training it first if there is none."""
    path = model_path()
    if path.exists() and not force:
        print(f"模型已是最新 (model up to date): {path.name}", file=sys.stderr, flush=True)
        return path
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    cmd = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "intents",
        "--out", str(MODELS), "--fixed-model-name", path.name.removesuffix(".tar.gz"),
    ]
    # Progress goes to stderr: `hotline classify` keeps stdout for its JSON lines.
    print("训练模型 (training)…", " ".join(cmd[2:]), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, check=True, stdout=sys.stderr)
    for old in MODELS.glob("hotline-*.tar.gz"):
        if old != path:
            old.unlink()
    return path
