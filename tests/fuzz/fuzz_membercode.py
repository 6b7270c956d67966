"""Fuzz member-code verification and scan classification (run by ``make soak``).

    python tests/fuzz/fuzz_membercode.py [--iterations 200000] [--seed N] [atheris args…]

The property: for any input, ``membercode.verify`` raises nothing but ``CodeRejected`` and
``identify.classify`` raises nothing but ``IdentifyError``; nothing but a genuine, unmodified
code is ever accepted. With atheris installed it runs coverage-guided (libFuzzer arguments
pass through, e.g. ``-max_total_time=600``); without it, a bounded random-mutation loop over
valid codes (bit flips, byte and character edits, truncation, splicing, case and Unicode
noise, huge inputs). Exits non-zero on the first violation, printing the input.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from clerk import identify
from clerk.errors import IdentifyError
from clerk.shared import base45, membercode
from clerk.shared.phones import PhoneKeys, generate_seal_keypair

EXP = 1_750_000_000
NOW = EXP - 30
KEY, PUB = membercode.generate_keypair()
KEYS = {1: PUB}
PHONE_KEYS = PhoneKeys("00" * 32, generate_seal_keypair()[1])
SEEDS = [membercode.issue(KEY, 1, i * 7919, exp=EXP) for i in range(16)]
GENUINE = set(SEEDS)


class Violation(Exception):
    pass


def check(text: str) -> None:
    try:
        code = membercode.verify(text, KEYS, NOW)
    except membercode.CodeRejected as exc:
        if exc.reason not in membercode.REJECT_REASONS:
            raise Violation(f"unknown reason {exc.reason!r}") from exc
    except Exception as exc:
        raise Violation(f"verify raised {type(exc).__name__}: {exc}") from exc
    else:
        if text not in GENUINE:
            raise Violation(f"accepted a code that was never issued: {code}")
    try:
        identify.classify(text, phone_keys=PHONE_KEYS, keys=KEYS, now=NOW)
    except IdentifyError:
        pass
    except Exception as exc:
        raise Violation(f"classify raised {type(exc).__name__}: {exc}") from exc


def mutate(rng: random.Random, text: str) -> str:
    op = rng.randrange(10)
    if op == 0:  # flip a bit in the decoded bytes, re-encode
        try:
            raw = bytearray(base45.decode(text[4:])) if text.startswith("MC1:") else None
        except ValueError:
            raw = None
        if raw:
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
            return "MC1:" + base45.encode(bytes(raw))
    if op == 1 and text:  # replace a character with one from the alphabet
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(base45.ALPHABET) + text[i + 1 :]
    if op == 2:  # truncate
        return text[: rng.randrange(len(text) + 1)]
    if op == 3:  # insert random characters, any Unicode
        i = rng.randrange(len(text) + 1)
        junk = "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(1, 4)))
        junk = junk.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        return text[:i] + junk + text[i:]
    if op == 4:  # splice two codes
        other = rng.choice(SEEDS)
        i = rng.randrange(len(text) + 1)
        return text[:i] + other[i:]
    if op == 5:  # case noise
        return "".join(c.lower() if rng.random() < 0.1 else c for c in text)
    if op == 6:  # random bytes as Base45
        return "MC1:" + base45.encode(rng.randbytes(rng.choice([84, 84, 83, 85, 0, 200])))
    if op == 7:  # huge
        return text + rng.choice(base45.ALPHABET) * rng.choice([1, 10, 5000, 100_000])
    if op == 8:  # whitespace and control characters from scanners
        return rng.choice(["\r\n", "\t", "\x00", "\x1d", " ", "\ufeff"]) + text
    return "".join(rng.choice(base45.ALPHABET + "abc\u3000１") for _ in range(rng.randint(0, 140)))


def random_loop(iterations: int, seed: int) -> int:
    rng = random.Random(seed)
    corpus = list(SEEDS)
    start = time.perf_counter()
    for seed_code in SEEDS:
        check(seed_code)
    for n in range(iterations):
        text = mutate(rng, rng.choice(corpus))
        try:
            check(text)
        except Violation as exc:
            print(f"VIOLATION after {n} iterations: {exc}\ninput: {text!r}", file=sys.stderr)
            return 1
        if len(text) <= 200 and rng.random() < 0.05:
            corpus.append(text)  # mutate mutants too
            if len(corpus) > 2000:
                corpus = SEEDS + rng.sample(corpus, 1000)
    elapsed = time.perf_counter() - start
    print(f"fuzz_membercode: {iterations:,} inputs, no violation ({elapsed:.1f} s, seed {seed})")
    return 0


def atheris_main(argv: list[str]) -> int:
    import atheris

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        text = fdp.ConsumeUnicodeNoSurrogates(len(data))
        check(text)
        if data:
            check("MC1:" + base45.encode(data[:84]))

    atheris.Setup(argv, one)
    atheris.Fuzz()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--no-atheris", action="store_true", help="use the random loop")
    args, rest = parser.parse_known_args(argv)
    if not args.no_atheris:
        try:
            import atheris  # noqa: F401
        except ImportError:
            pass
        else:
            return atheris_main([sys.argv[0], *rest])
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    return random_loop(args.iterations, seed)


if __name__ == "__main__":
    raise SystemExit(main())
