"""Developer aid: which seed sentences are missing from some content files.

python tools/coverage.py ../shared/seeds/003_228db255e4ee5835.txt --lines 87-776 content/principes/gezinsgericht.yaml
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fidelity import measure, seed_sentences, yaml_text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("seed", type=Path)
    parser.add_argument("yaml", type=Path, nargs="+")
    parser.add_argument("--lines", help="1-based inclusive range of seed lines, e.g. 87-776")
    args = parser.parse_args()
    lines = args.seed.read_text(encoding="utf-8").splitlines()
    first, last = 1, len(lines)
    if args.lines:
        first, last = (int(x) for x in args.lines.split("-"))
    text = "\n".join(lines[first - 1 : last])
    coverage = measure(seed_sentences(text), yaml_text(args.yaml))
    for sentence in coverage.missing:
        print("MISSING:", sentence)
    print(
        f"{coverage.total - len(coverage.missing)}/{coverage.total} sentences, {coverage.ratio:.1%}"
    )


if __name__ == "__main__":
    main()
