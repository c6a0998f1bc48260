import math

import numpy as np
import pytest

from consensus_desktop.welfare.group_metrics import (
    before_after,
    bootstrap,
    group_internal_agreement,
    inclusion_effect,
)


def test_gia_extremes_and_neutral_ignored() -> None:
    assert group_internal_agreement([7, 6, 5, 4]).gia == 1.0
    assert group_internal_agreement([7, 6, 5, 4]).signed == 1.0
    assert group_internal_agreement([1, 2, 3]).signed == -1.0
    even = group_internal_agreement([7, 1, 6, 2, 4, 4])
    assert even.gia == 0.0 and even.n_neutral == 2
    assert math.isnan(group_internal_agreement([4, 4]).gia)
    three_one = group_internal_agreement([7, 7, 7, 1])
    assert three_one.gia == pytest.approx(0.5) and three_one.signed == pytest.approx(0.5)


def test_bootstrap_interval_contains_the_estimate() -> None:
    est = bootstrap(np.arange(1, 8, dtype=float), seed=1)
    assert est.low <= est.value <= est.high
    assert est.value == pytest.approx(4.0) and est.n == 7
    assert math.isnan(bootstrap([]).value)


def test_before_after_and_inclusion() -> None:
    res = before_after([2, 3, 4, 2], [5, 6, 5, 4])
    assert res["change"].value == pytest.approx(2.25)
    assert res["change"].low > 0
    with pytest.raises(ValueError):
        before_after([1, 2], [3])
    inc = inclusion_effect([6, 6, 7, 3, 2], [True, True, True, False, False])
    assert inc["difference"].value == pytest.approx(19 / 3 - 2.5)
