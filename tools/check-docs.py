#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Parses every reStructuredText file named on the command line with
docutils and fails on any warning or error (a malformed table, a broken
section underline, an unknown role): the docs must read as written."""
import io
import sys

import docutils.core


def check(path):
    stream = io.StringIO()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    docutils.core.publish_doctree(
        text,
        source_path=path,
        settings_overrides={"report_level": 2, "halt_level": 5,
                            "warning_stream": stream},
    )
    return stream.getvalue()


def main(paths):
    if not paths:
        print("check-docs: no files given", file=sys.stderr)
        return 2
    bad = 0
    for p in paths:
        report = check(p)
        if report:
            bad += 1
            sys.stderr.write(report)
    print(f"check-docs: {len(paths) - bad} of {len(paths)} files clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
