"""Ranges: validation of every kind of mistake, grid enumeration and grid size."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpgui.core.catalog import get_model
from hpgui.core.space import Condition, Hyperparameter, grid_size, iter_grid, validate_range


def H(**kw) -> Hyperparameter:
    return Hyperparameter.from_dict(kw)


@pytest.mark.parametrize("spec, field, words", [
    (dict(type="float", low=5, high=1), "space.x.low", "greater than high"),
    (dict(type="float", low=0, high=1, log=True), "space.x.low", "above 0"),
    (dict(type="float", low=-1, high=1, log=True), "space.x.low", "above 0"),
    (dict(type="categorical", choices=[]), "space.x.choices", "at least one"),
    (dict(type="categorical", choices=["a", "a"]), "space.x.choices", "twice"),
    (dict(type="int", low=1.5, high=4), "space.x.low", "whole number"),
    (dict(type="float", values=[]), "space.x.values", "at least one"),
    (dict(type="float", values=[1, "b"]), "space.x.values", "not a number"),
    (dict(type="float", low=0.1, high=1, log=True, step=0.1), "space.x.step", "both log-scale and stepped"),
    (dict(type="float", low=0, high=1, step=-0.1), "space.x.step", "positive"),
    (dict(type="float", high=1), "space.x.low", "missing"),
    (dict(type="vector", low=0, high=1), "space.x.type", "must be one of"),
])
def test_each_range_mistake_is_reported_on_its_field(spec, field, words):
    problems = validate_range("x", H(**spec))
    assert any(p.field == field and words in p.message for p in problems), problems


def test_grid_refuses_a_continuous_range_but_takes_steps_and_integers():
    assert any("cannot enumerate" in p.message
               for p in validate_range("x", H(type="float", low=0, high=1), strategy="grid"))
    assert validate_range("x", H(type="float", low=0, high=1, step=0.25), strategy="grid") == []
    assert validate_range("x", H(type="int", low=1, high=5), strategy="grid") == []
    assert H(type="float", low=0, high=1, step=0.25).grid_values() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert H(type="float", low=0.1, high=0.3, step=0.1).grid_values() == [0.1, 0.2, 0.3]
    assert H(type="int", low=2, high=10, step=4).grid_values() == [2, 6, 10]


def test_every_problem_is_reported_at_once():
    svm = get_model("svm")
    space = {"C": H(type="float", low=-1, high=10, log=True), "gamma": H(type="float", low=3, high=1),
             "kernel": H(type="categorical", choices=["rbf", "banana"]), "colour": H(type="int", low=1, high=2)}
    fields = {p.field for p in svm.validate_space("classification", space)}
    assert {"space.C.low", "space.gamma.low", "space.kernel.choices", "space.colour"} <= fields


def test_a_value_the_estimator_refuses_is_reported():
    problems = get_model("svm").validate_space("classification", {"C": H(type="float", values=[1, 0])})
    assert [p.field for p in problems] == ["space.C.values"]
    assert "> 0" in problems[0].message


def test_switched_off_ranges_are_not_checked():
    problems = get_model("svm").validate_space(
        "classification", {"C": H(type="float", low=5, high=1, enabled=False)})
    assert problems == []


def test_round_trip_through_json():
    for spec in (dict(type="float", low=1e-3, high=10, log=True), dict(type="int", low=1, high=9, step=2),
                 dict(type="categorical", choices=["a", None, True, 3]), dict(type="float", values=[0.1, 1]),
                 dict(type="float", low=0, high=1, enabled=False)):
        hp = H(**spec)
        assert Hyperparameter.from_dict(hp.to_dict()) == hp


CONDITIONS = {"gamma": Condition("kernel", ("rbf", "poly")), "degree": Condition("kernel", ("poly",))}


@settings(max_examples=60, deadline=None)
@given(
    kernels=st.lists(st.sampled_from(["linear", "rbf", "poly", "sigmoid"]), min_size=1, max_size=4, unique=True),
    n_c=st.integers(1, 4), n_gamma=st.integers(1, 4), n_degree=st.integers(1, 3),
    kernel_on=st.booleans(), default_kernel=st.sampled_from(["linear", "rbf", "poly"]),
)
def test_grid_size_counts_exactly_what_iter_grid_yields(kernels, n_c, n_gamma, n_degree, kernel_on,
                                                        default_kernel):
    space = {
        "kernel": H(type="categorical", choices=kernels, enabled=kernel_on),
        "C": H(type="float", values=[float(i + 1) for i in range(n_c)]),
        "gamma": H(type="float", values=[0.1 * (i + 1) for i in range(n_gamma)]),
        "degree": H(type="int", values=list(range(2, 2 + n_degree))),
    }
    defaults = {"kernel": default_kernel}
    points = list(iter_grid(space, CONDITIONS, defaults))
    assert grid_size(space, CONDITIONS, defaults) == len(points)
    assert len({repr(sorted(p.items())) for p in points}) == len(points)  # no point twice
    for p in points:
        kernel = p.get("kernel", default_kernel)
        assert ("gamma" in p) == (kernel in ("rbf", "poly"))
        assert ("degree" in p) == (kernel == "poly")


def test_a_huge_grid_is_sized_without_listing_it():
    space = {f"p{i}": H(type="int", low=1, high=10) for i in range(7)}
    assert grid_size(space) == 10 ** 7


def test_a_grid_ignores_continuous_ranges_that_can_never_apply():
    svm = get_model("svm")
    space = {"kernel": H(type="categorical", choices=["linear"]), "C": H(type="float", values=[1, 10]),
             "gamma": H(type="float", low=1e-3, high=1, log=True)}
    assert svm.validate_space("classification", space, strategy="grid") == []
    space["kernel"] = H(type="categorical", choices=["linear", "rbf"])
    assert [p.field for p in svm.validate_space("classification", space, strategy="grid")] == ["space.gamma"]
