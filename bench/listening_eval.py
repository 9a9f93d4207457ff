"""How well conversations are read: the figures of services/conversations/measure.py on the
labelled listening corpus (tests/data/listening/README.md gives the format).

    .venv/bin/python bench/listening_eval.py                 # the reading on this computer
    .venv/bin/python bench/listening_eval.py --with-model --base-url http://127.0.0.1:8080/v1 \
        --model NAME                                         # a model, on a local server
    .venv/bin/python bench/listening_eval.py --with-model --workspace FILE.radar.sqlite
                                                             # the workspace's configured model
    .venv/bin/python bench/listening_eval.py --write         # keep the figures the app gates on
    .venv/bin/python bench/listening_eval.py --smoke          # three conversations (the suite)

Prints, for the reading measured: per kind of risk its precision, recall and F1 (and the
targets: micro precision 0.92, micro recall 0.85, every kind's precision 0.85), the
confusion, the promises' precision and recall (and the share due on the right day), the
customer's sentiment agreeing in sign with the labels (target 85 %), the share of risks
and promises placed at their own sentence, and complaints read negative about their
topic. ``--misses`` lists each sentence read wrong (use it on the training corpus only:
tuning on the measured corpus would make its figures meaningless). ``--write`` keeps the
offline reading's figures in resources/listening/measured.json, which decides which kinds
of risk may raise alerts (services/listen/proven_risks.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.conversations.measure import (  # noqa: E402
    NONE,
    Case,
    CorpusError,
    Measurement,
    Reader,
    counted,
    load_corpus,
    measure,
    summary,
)
from services.conversations.model import Conversation, Person  # noqa: E402
from services.conversations.reading import (  # noqa: E402
    Reading,
    read_offline,
    sentence_sentiment,
    sentence_topics,
)
from services.core.safe_read import BadFile  # noqa: E402
from services.listen.proven_risks import RISK_KINDS, measured_path  # noqa: E402

EVAL = ROOT / "tests" / "data" / "listening" / "eval"
TARGETS = {"micro precision": 0.92, "micro recall": 0.85, "kind precision": 0.85,
           "sentiment": 0.85}  # fmt: skip


def _figure(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.3f}"


def report(m: Measurement, title: str, seconds: float) -> list[str]:
    """The figures as the bench prints them."""
    head = f"{'kind':18} {'precision':>9} {'recall':>7} {'F1':>6}   hits/found/labelled"
    lines = [
        f"== {title}: {m.conversations} conversations, {m.sentences} sentences "
        f"({m.customer_sentences} the customer's), read in {seconds:.1f} s",
        "",
        head,
    ]
    for kind in RISK_KINDS:
        c = m.kinds[kind]
        flag = "" if (c.precision or 0) >= TARGETS["kind precision"] else "  < 0.85"
        lines.append(f"{kind:18} {_figure(c.precision):>9} {_figure(c.recall):>7} "
                     f"{_figure(c.f1):>6}   {c.hits}/{c.found}/{c.labelled}{flag}")  # fmt: skip
    micro = m.micro
    counts = f"{micro.hits}/{micro.found}/{micro.labelled}"
    lines.append(f"{'micro':18} {_figure(micro.precision):>9} {_figure(micro.recall):>7} "
                 f"{_figure(micro.f1):>6}   {counts}")  # fmt: skip
    lines += ["", "confusion (rows: labelled, columns: found)"]
    names = [*RISK_KINDS, NONE]
    short = {k: k[:8] for k in names}
    lines.append(f"{'':18}" + "".join(f"{short[k]:>10}" for k in names))
    for row in names:
        lines.append(
            f"{row:18}" + "".join(f"{m.confusion.get((row, col), 0):>10}" for col in names)
        )
    p = m.promises
    lines += ["", f"promises: precision {_figure(p.precision)}, recall {_figure(p.recall)} "
              f"({p.hits}/{p.found}/{p.labelled}); due on the day said "
              f"{_figure(m.due_share)} ({m.due_right}/{m.due_labelled})",
              f"sentiment sign agrees: {_figure(m.sentiment_agreement)} "
              f"({m.sentiment_right}/{m.sentiment_labelled} of the customer's sentences; read on"
              " this computer, with or without a model)",
              f"placed at their own sentence: {_figure(m.placed_share)} "
              f"({m.placed_right}/{m.placed} risks and promises)"]  # fmt: skip
    for topic, c in m.complaints.items():
        lines.append(f"{topic} complaints read negative about {topic}: "
                     f"{_figure(c.recall)} ({c.hits}/{c.labelled})")  # fmt: skip
    met = [
        ("micro precision >= 0.92", (micro.precision or 0) >= TARGETS["micro precision"]),
        ("micro recall >= 0.85", (micro.recall or 0) >= TARGETS["micro recall"]),
        ("every kind's precision >= 0.85", all(
            (m.kinds[k].precision or 0) >= TARGETS["kind precision"] for k in RISK_KINDS)),
        ("sentiment sign >= 0.85", (m.sentiment_agreement or 0) >= TARGETS["sentiment"]),
    ]  # fmt: skip
    lines += ["", "targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}"
                                          for name, ok in met)]  # fmt: skip
    return lines


def offline_reader(conversation: Conversation, side: Callable[[Person], bool]) -> Reading:
    return read_offline(conversation, side)


def model_reader(args: argparse.Namespace) -> tuple[Reader, str]:
    """A reader that asks the configured model, as "Read with the model…" does."""
    from services.conversations.reading_model import model_request, parse_model_reading
    from services.llm.client import stream_chat
    from services.llm.providers import ProviderConfig
    from services.outreach.drafting import require_key

    if args.workspace:
        from sqlalchemy.orm import Session

        from app.workspace import open_workspace, to_url
        from services.outreach.prompt import provider_from_settings, provider_problem

        workspace = open_workspace(to_url(str(args.workspace)), backup=False)
        with Session(workspace.engine) as session:
            config = provider_from_settings(session)
            problem = provider_problem(session)
        if config is None:
            raise SystemExit(f"No model is set up in {args.workspace}: {problem}")
    elif args.base_url and args.model:
        config = ProviderConfig(kind="local", base_url=args.base_url, model=args.model,
                                temperature=0.0, timeout_s=args.timeout)  # fmt: skip
    else:
        raise SystemExit("--with-model needs --workspace FILE, or --base-url and --model")
    key, _ = require_key(config)
    failures: list[str] = []

    def read(conversation: Conversation, side: Callable[[Person], bool]) -> Reading:
        system, user = model_request(conversation, side, lambda text: text)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        answer = "".join(stream_chat(config, key, messages, max_tokens=args.max_tokens,
                                     response_format={"type": "json_object"}))  # fmt: skip
        try:
            return parse_model_reading(answer, conversation, side)
        except ValueError as error:  # no reading: nothing found, counted as such
            failures.append(f"{conversation.key}: {error}")
            return Reading(summary=(), method="model", method_note="")

    return read, f"the model {config.model_label} at {config.base_url}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=EVAL, help="a folder of corpus files")
    parser.add_argument("--with-model", action="store_true", help="measure a model's reading")
    parser.add_argument("--workspace", type=Path, help="the workspace whose model to measure")
    parser.add_argument("--base-url", help="a local server's address (OpenAI wire format)")
    parser.add_argument("--model", help="the model's name on that server")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per answer")
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--limit", type=int, default=0, help="only the first N conversations")
    parser.add_argument("--smoke", action="store_true", help="three conversations only")
    parser.add_argument("--misses", action="store_true", help="list what was read wrong")
    parser.add_argument("--write", action="store_true",
                        help="keep the offline reading's figures for the app")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        cases: list[Case] = load_corpus(args.corpus)
    except (CorpusError, BadFile, OSError) as error:
        raise SystemExit(f"The corpus cannot be read: {error}") from None
    limit = 3 if args.smoke else args.limit
    if limit:
        cases = cases[:limit]
    if args.write and (args.with_model or limit or args.corpus.resolve() != EVAL.resolve()):
        raise SystemExit("--write keeps the offline reading's figures on the whole eval corpus")
    tally = counted(cases)
    print("corpus:", args.corpus, "; ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    read, title = model_reader(args) if args.with_model else (offline_reader, "the reading "
                                                              "on this computer")  # fmt: skip
    began = time.perf_counter()
    measured = measure(cases, read, sentence_sentiment, sentence_topics)
    seconds = time.perf_counter() - began
    print("\n".join(report(measured, title, seconds)))
    if cases:
        print(f"{seconds / len(cases):.1f} s a conversation")
    if args.misses:
        print("\nread wrong:")
        for what, text, anchor in measured.misses:
            print(f"  [{what}] {text}  ({anchor})")
    if args.write:
        figures = {"corpus": "tests/data/listening/eval", **summary(measured)}
        path = measured_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nkept in {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
