"""expr: Expression (compile, text, variables, evaluate) and expand, errors and ownership."""
import gc
import os

import pytest

import cicd

FLOW = {
    "CI_COMMIT_BRANCH": "feature/80-optimize-allocate",
    "CI_PIPELINE_SOURCE": "push",
    "EMPTY": "",
}


def test_compile_and_evaluate_with_a_mapping():
    with cicd.Expression('$CI_COMMIT_BRANCH =~ /^(feature|hotfix)\\// && $CI_PIPELINE_SOURCE == "push"') as e:
        assert e.text == '$CI_COMMIT_BRANCH =~ /^(feature|hotfix)\\// && $CI_PIPELINE_SOURCE == "push"'
        assert e.variables == ["CI_COMMIT_BRANCH", "CI_PIPELINE_SOURCE"]
        assert e.evaluate(FLOW) is True
        assert e(FLOW) is True
        assert e.evaluate({"CI_COMMIT_BRANCH": "dev", "CI_PIPELINE_SOURCE": "push"}) is False
        assert e.evaluate() is False  # every variable undefined


def test_undefined_none_and_blank_values_follow_gitlab():
    e = cicd.Expression("$X == null")
    assert e.evaluate({}) is True
    assert e.evaluate({"X": None}) is True
    assert e.evaluate({"X": ""}) is False
    assert cicd.Expression("$EMPTY").evaluate(FLOW) is False  # a blank string is not present
    # && and || return an operand, and "" is true inside them as in Ruby.
    assert cicd.Expression("$EMPTY && $CI_PIPELINE_SOURCE").evaluate(FLOW) is True
    assert cicd.Expression("$EMPTY || $CI_PIPELINE_SOURCE").evaluate(FLOW) is False


def test_bytes_values_and_os_environ_work():
    assert cicd.Expression('$X == "caf\u00e9"').evaluate({"X": "caf\u00e9".encode()}) is True
    os.environ["CICD_BINDINGS_TEST_VAR"] = "on"
    try:
        assert cicd.Expression('$CICD_BINDINGS_TEST_VAR == "on"').evaluate(os.environ) is True
    finally:
        del os.environ["CICD_BINDINGS_TEST_VAR"]


def test_syntax_error_has_code_message_and_position_in_file_coordinates():
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Expression("$A ==", file=".gitlab-ci.yml", line=12, column=11)
    e = ei.value
    assert e.code == -5 and e.name == "CICD_EPARSE"
    assert e.message == "invalid expression syntax: == has no right operand"
    assert (e.file, e.line, e.column) == (".gitlab-ci.yml", 12, 14)
    assert str(e) == ".gitlab-ci.yml:12:14: invalid expression syntax: == has no right operand"
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Expression("${X}")
    assert (ei.value.line, ei.value.column) == (1, 1)


def test_limits_and_bad_options():
    text = "$A" + " && $A" * 49
    cicd.Expression(text).close()
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Expression(text + " &&")
    assert ei.value.message == "invalid expression syntax: too many tokens"
    with pytest.raises(cicd.LimitError) as ei:
        cicd.Expression(text, max_bytes=10)
    assert ei.value.message == "expression longer than 10 bytes"
    with pytest.raises(cicd.InvalidArgumentError):
        cicd.Expression("$A", max_tokens=100000)


def test_mapping_errors_propagate_unchanged():
    class Broken(dict):
        def __getitem__(self, key):
            raise RuntimeError(f"no {key} today")

    e = cicd.Expression("$A == null")
    with pytest.raises(RuntimeError, match="no A today"):
        e.evaluate(Broken())
    with pytest.raises(TypeError, match="variable A: expected str, bytes or None, not int"):
        e.evaluate({"A": 1})
    assert e.evaluate({}) is True  # still usable afterwards


def test_expand_forms_flags_and_errors():
    v = {"X": "1", "Y": b"2", "Z": "3"}
    assert cicd.expand("a $X ${Y} %Z% $$ $NOPE.", v) == "a 1 2 3 $$ ."
    assert cicd.expand("$NOPE ${NOPE} $X", v, keep_undefined=True) == "$NOPE ${NOPE} 1"
    assert cicd.expand("cost $$5", v, unescape=True) == "cost $5"
    assert cicd.expand(b"$X", v) == "1"
    assert cicd.expand("$X") == ""
    with pytest.raises(TypeError):
        cicd.expand("$X", {"X": 3.5})


def test_close_twice_use_after_close_and_survival_after_gc():
    e = cicd.Expression("$A")
    e.close()
    e.close()
    with pytest.raises(ValueError, match="expression is closed"):
        e.evaluate({})
    with pytest.raises(ValueError):
        e.text
    assert repr(e) == "<cicd.Expression closed>"
    # The compiled expression owns its text and variables: nothing borrowed from the input.
    src = "$" + "B" * 5 + ' == "x"'
    e2 = cicd.Expression(src)
    del src
    gc.collect()
    assert e2.variables == ["BBBBB"] and e2.evaluate({"BBBBB": "x"})
    # Values handed to the library are kept alive for the whole evaluation.
    class Fresh(dict):
        def __getitem__(self, key):
            return "x" * 3 + "-" + key  # a new object each call, dropped by Python at once
    assert cicd.Expression('$A == "xxx-A" && $B == "xxx-B"').evaluate(Fresh())
