"""The core of the Python binding: errors, documents, nodes, ownership."""
import gc
import os

import pytest

import cicd

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "pipeline", ".gitlab-ci.yml")


def test_version_is_semver_like():
    parts = cicd.version().split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_load_text_and_walk_nodes():
    with cicd.Document.load("stages: [build, test]\njob:\n  script: make\n", "ci.yml") as doc:
        assert len(doc) == 1
        root = doc.root()
        assert root.kind == "mapping"
        assert list(root) == ["stages", "job"]
        assert [n.text for n in root["stages"]] == ["build", "test"]
        assert root["job"]["script"].text == "make"
        assert (root["job"].line, root["job"].column) == (3, 3)
        assert root["job"].file == "ci.yml"
        assert "job" in root and "nope" not in root
        assert root.get("nope") is None
        with pytest.raises(KeyError):
            root["nope"]
        with pytest.raises(IndexError):
            root["stages"][5]
        assert root["stages"][-1].text == "test"


def test_bytes_and_str_inputs_are_both_accepted():
    a = cicd.Document.load(b"k: v\n").root()["k"].text
    b = cicd.Document.load("k: v\n").root()["k"].text
    assert a == b == "v"


def test_unicode_and_embedded_nul_survive():
    with cicd.Document.load('name: "caf\u00e9 \\0 end"\n') as doc:
        assert doc.root()["name"].text == "caf\u00e9 \x00 end"


def test_parse_error_carries_position():
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Document.load("a:\n  b: 1\n c: 2\n", "bad.yml")
    e = ei.value
    assert e.code == -5 and e.name == "CICD_EPARSE"
    assert (e.file, e.line, e.column) == ("bad.yml", 3, 2)
    assert "did not find expected key" in e.message
    assert str(e).startswith("bad.yml:3:2: ")


def test_limits_raise_limit_error():
    bomb = "a: &a [x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a]\n"
    with pytest.raises(cicd.LimitError) as ei:
        cicd.Document.load(bomb, max_alias_expansion=10)
    assert "aliases expand to more than 10 nodes" in ei.value.message
    with pytest.raises(cicd.LimitError):
        cicd.Document.load("[[[[1]]]]", max_depth=2)


def test_missing_file_raises_io_error():
    with pytest.raises(cicd.IOError_) as ei:
        cicd.Document.load_file("/nonexistent/ci.yml")
    assert isinstance(ei.value, OSError)
    assert "no such file or directory" in ei.value.message


def test_duplicate_keys_warn_or_fail_in_strict_mode():
    doc = cicd.Document.load("a: 1\na: 2\n", "d.yml")
    [w] = doc.warnings
    assert w.severity == "warning" and (w.line, w.column) == (2, 1)
    assert doc.root()["a"].text == "2"
    with pytest.raises(cicd.ParseError):
        cicd.Document.load("a: 1\na: 2\n", strict_keys=True)


def test_json_loading_and_conversions():
    doc = cicd.Document.load_json('{"a": [1, "yes", true, null], "b": {"c": 1.5}}')
    root = doc.root()
    assert root.to_python() == {"a": [1, "yes", True, None], "b": {"c": 1.5}}
    assert root.to_json(sort_keys=True) == '{"a":[1,"yes",true,null],"b":{"c":1.5}}'
    assert cicd.Document.load(root.to_yaml()).root().to_python() == root.to_python()
    with pytest.raises(cicd.ParseError):
        cicd.Document.load_json("[1, 2,]")


def test_example_pipeline_loads_from_file():
    with cicd.Document.load_file(EXAMPLE) as doc:
        root = doc.root()
        assert "lint" in root
        assert root["lint"]["stage"].text == "static-check"
        assert root["stages"].to_python()[0] == "static-check"


def test_closed_document_refuses_use_and_nodes_keep_it_alive():
    doc = cicd.Document.load("a: {b: c}\n")
    node = doc.root()["a"]
    del doc
    gc.collect()
    assert node["b"].text == "c"  # the node holds its document
    doc2 = cicd.Document.load("x: 1\n")
    n2 = doc2.root()
    doc2.close()
    doc2.close()  # idempotent
    with pytest.raises(ValueError):
        n2.kind


def test_multi_document_streams_iterate():
    doc = cicd.Document.load("---\na: 1\n---\n---\nb: 2\n")
    roots = list(doc)
    assert len(roots) == 3 and roots[1] is None
    assert roots[2]["b"].text == "2"
    with pytest.raises(IndexError):
        doc.root(3)


def test_version_numbers_match_the_text():
    assert ".".join(map(str, cicd.version_numbers())) == cicd.version()


def test_document_lines_scalar_styles_and_value_types():
    text = ("a: 1\n---\nplain: x\nsingle: 'x'\ndouble: \"x\"\nliteral: |\n  x\nfolded: >\n  x\n"
            "null: ~\nbool: yes\nint: 0x1F\nfloat: 1.5\nstring: \"1\"\nlist: [1]\n")
    with cicd.Document.load(text, "ci.yml") as doc:
        assert [doc.line(0), doc.line(1)] == [1, 2]
        with pytest.raises(IndexError):
            doc.line(2)
        root = doc.root(1)
        assert [root[k].style for k in ("plain", "single", "double", "literal", "folded", "list")] == [
            "plain", "single-quoted", "double-quoted", "literal", "folded", None]
        assert [root[k].value_type for k in ("null", "bool", "int", "float", "string", "plain", "list")] == [
            "null", "bool", "int", "float", "string", "string", None]
    with cicd.Document.load_json('{"s": "1", "n": 1}') as doc:
        root = doc.root()
        assert (root["s"].style, root["s"].value_type, root["n"].style, root["n"].value_type) == (
            "double-quoted", "string", "plain", "int")
    with pytest.raises(ValueError, match="document is closed"):
        doc.line(0)
    with pytest.raises(ValueError, match="document is closed"):
        root.style


def test_to_yaml_applies_merges_and_keeps_meaning():
    text = ("base: &b {image: alpine, tags: [a]}\njob:\n  <<: *b\n  z: 'true'\n  script: |\n    make\n"
            "    make test\n  a: !reference [x, y]\n")
    with cicd.Document.load(text) as doc:
        job = doc.root()["job"]
        assert job.to_yaml() == ("image: alpine\ntags:\n- a\nz: \"true\"\nscript: |\n  make\n  make test\n"
                                 "a: !reference\n- x\n- y\n")
        assert job.to_yaml(sort_keys=True).startswith("a: !reference\n- x\n- y\nimage: alpine\n")
        with cicd.Document.load(job.to_yaml()) as back:
            assert back.root().to_json(sort_keys=True) == job.to_json(sort_keys=True)
