"""feedparser's own test documents (../shared/data/feedparser_tests) read the way feedparser's test harness reads
them: each file's leading comment holds a Description, an Expect expression over feedparser's result, sometimes
SkipUnless (a module the expectation needs) and Header lines (the HTTP response headers the harness serves the file
with, from http://127.0.0.1:8097/<path>). Expect expressions are test data: they are checked against a whitelist of
syntax and evaluated with no builtins beyond a few harmless functions."""
from __future__ import annotations

import ast
import datetime
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import feedparser

# ../shared/data/feedparser_tests seen from the repository root (src/learnflow/curation/tests/ is four levels down).
CORPUS_DIR = Path(os.environ.get("LEARNFLOW_FEED_CORPUS", "")
                  or Path(__file__).resolve().parents[5] / "shared" / "data" / "feedparser_tests")

_SKIP_RE = re.compile(r"SkipUnless:\s*(.*?)\n")
_DESC_RE = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_HEADER_RE = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
HARNESS_ORIGIN = "http://127.0.0.1:8097/"


@dataclass
class CorpusCase:
    path: Path
    relative: str
    data: bytes
    description: str
    expect: str
    skip_unless: str
    headers: dict[str, str] = field(default_factory=dict)
    url: str = ""


def corpus_files() -> list[Path]:
    root = CORPUS_DIR / "tests"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))


def _text_of(data: bytes) -> str:
    """The document as text, by its byte order mark (how the harness finds the comment in UTF-16/32 files)."""
    boms = [(b"\x00\x00\xfe\xff", "utf-32be"), (b"\xff\xfe\x00\x00", "utf-32le"), (b"\x00\x00\x00\x3c", "utf-32be"),
            (b"\x3c\x00\x00\x00", "utf-32le"), (b"\x00\x3c\x00\x3f", "utf-16be"), (b"\x3c\x00\x3f\x00", "utf-16le")]
    for bom, encoding in boms:
        if data[:4] == bom:
            return data.decode(encoding, errors="ignore")
    if data[:2] == b"\xfe\xff" and data[2:4] != b"\x00\x00":
        return data[2:].decode("utf-16be", errors="ignore")
    if data[:2] == b"\xff\xfe" and data[2:4] != b"\x00\x00":
        return data[2:].decode("utf-16le", errors="ignore")
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="ignore")
    return data.decode("utf-8", errors="ignore")


def corpus_case(path: Path) -> CorpusCase:
    data = path.read_bytes()
    text = _text_of(data)
    relative = path.relative_to(CORPUS_DIR).as_posix()
    found = _DESC_RE.search(text)
    if not found:
        raise ValueError(f"{relative}: no Description/Expect comment")
    skip = _SKIP_RE.search(text)
    case = CorpusCase(path=path, relative=relative, data=data, description=found.group(1).strip(),
                      expect=found.group(2).strip(), skip_unless=skip.group(1).strip() if skip else "")
    if "http" in relative:
        # As the harness serves it: its Header lines, text/xml unless they say otherwise, from its test URL.
        headers = {"content-length": str(len(data)), "content-type": "text/xml"}
        headers.update({name.strip().lower(): value.strip() for name, value in _HEADER_RE.findall(text)})
        case.headers = headers
        case.url = HARNESS_ORIGIN + posixpath.normpath(relative)
    return case


# --- safe evaluation of Expect / SkipUnless -------------------------------------------------------------------

_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Name, ast.Load, ast.Constant,
    ast.Subscript, ast.Slice, ast.Attribute, ast.Call,
    ast.Tuple, ast.List, ast.Dict, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.keyword,
)
_SAFE_FUNCTIONS = {"len": len, "isinstance": isinstance, "str": str, "int": int, "float": float, "tuple": tuple,
                   "list": list, "dict": dict, "bool": bool, "ord": ord, "sorted": sorted, "set": set,
                   "True": True, "False": False, "None": None}


class UnsafeExpression(ValueError):
    pass


def _check(expression: str, allowed_names: set[str]) -> ast.Expression:
    tree = ast.parse(expression, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise UnsafeExpression(f"{type(node).__name__} is not allowed in an expectation")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise UnsafeExpression(f"attribute {node.attr} is not allowed")
        if isinstance(node, ast.Name) and (node.id.startswith("_") and node.id not in allowed_names):
            raise UnsafeExpression(f"name {node.id} is not allowed")
    return tree


def expectation_holds(expect: str, result: dict) -> bool:
    """Evaluate one Expect line against a feedparser-shaped result, like the harness does (result as the local
    namespace; `datetime` and `feedparser` as globals) but with the expression checked first and no builtins."""
    tree = _check(expect, set())
    # `locals()` in an expectation means the result itself (eval's local namespace in the harness).
    namespace = {"__builtins__": {}, **_SAFE_FUNCTIONS, "datetime": datetime, "feedparser": feedparser,
                 "locals": lambda: result}
    return bool(eval(compile(tree, "<expect>", "eval"), namespace, result))  # noqa: S307 - checked above


def skip_unless_holds(expression: str) -> bool:
    """SkipUnless lines ask whether a codec or module exists (`__import__('codecs').lookup('big5')`)."""
    if not expression:
        return True
    match = re.fullmatch(r"__import__\('([\w.]+)'\)(?:\.lookup\('([\w-]+)'\))?", expression)
    if match:
        module, codec = match.groups()
        try:
            imported = __import__(module)
            if codec:
                imported.lookup(codec)
        except (ImportError, LookupError):
            return False
        return True
    if expression.startswith("__import__('sys').version"):
        return True
    return False


def skipped_by_harness(case: CorpusCase) -> bool:
    """feedparser's harness honours SkipUnless only for the ill-formed documents (a missing optional module such as
    chardet skips them); elsewhere the expectation must hold whatever the line says."""
    return case.relative.startswith("tests/illformed/") and not skip_unless_holds(case.skip_unless)
