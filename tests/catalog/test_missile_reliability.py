"""Threat missiles' reliability from their public flight records (issue 24, item 7).

Each value is Laplace's rule of succession, (h + 1) / (n + 2), on the record written here with its
source, computed independently of the catalog; its plausible range is the 5-95 % interval of the
Beta(h + 1, n - h + 1) posterior (Gelman et al., Bayesian Data Analysis, 3rd ed., 2013, sec. 2.4),
computed here with scipy.stats.beta (the assembly uses scipy.special.betaincinv).
"""

import pytest
from scipy import stats

from bmdlab.catalog import builtin_catalog, load_catalog
from bmdlab.errors import BmdlabError

CAT = builtin_catalog()

#: missile -> (hits, attempts, source of the record)
RECORDS = {
    # 2016: 18 Mar 1 of 2 (Yonhap), 3 Aug 1 of 2 (U.S. STRATCOM via ASIL), 5 Sep 3 of 3 (ROK JCS via Reuters)
    "nodong": (5, 7, "yonhap-2016-03-18-rodong, asil-2016-08-03-nodong, reuters-2016-09-05-rodong"),
    # 6 Mar 2017: four from Tongchang-ri, all ~1,000 km (Japan MOD via Yomiuri)
    "scud-er": (4, 4, "yomiuri-2017-03-08-scud-er"),
    # 2016: eight attempts, only 22 June succeeded (ROK JCS via Korea Times / ROK Drop; CSIS)
    "musudan": (1, 8, "rokdrop-2016-10-21-musudan, csis-mt-2016-10-musudan-7-8"),
    # 12 Feb and 21 May 2017, both ~500 km lofted (CSIS; Yomiuri)
    "pukguksong-2": (2, 2, "csis-mt-2017-02-12-pks2, yomiuri-2017-05-22-pks2"),
    # 2017: three April failures (CSIS KN-17 = Hwasong-12), then 14 May, 29 Aug, 15 Sep
    "hwasong-12": (3, 6, "csis-mt-2017-04-29-kn17, csis-mt-2017-05-14-hs12"),
    # 4 and 28 July 2017
    "hwasong-14": (2, 2, "wapo-2017-08-10-launches"),
    # 29 Nov 2017
    "hwasong-15": (1, 1, "straitstimes-2017-12-01-hs15"),
}


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_reliability_is_laplaces_rule_on_the_flight_record(key):
    h, n, sources = RECORDS[key]
    rel = CAT.missiles[key].reliability
    assert rel is not None and rel.unit == "fraction" and rel.confidence == "derived"
    # rounded to three decimals in the catalog: tolerance 5e-4
    assert rel.value == pytest.approx((h + 1) / (n + 2), abs=5e-4)
    assert rel.source in sources and f"{h} of {n}" in rel.note, rel.note


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_plausible_range_is_the_posterior_5_to_95_percent(key):
    h, n, _ = RECORDS[key]
    low, high = CAT.missiles[key].reliability.plausible
    # rounded to two decimals in the catalog: tolerance 0.006
    assert low == pytest.approx(stats.beta.ppf(0.05, h + 1, n - h + 1), abs=0.006)
    assert high == pytest.approx(stats.beta.ppf(0.95, h + 1, n - h + 1), abs=0.006)


def test_the_musudan_record_is_one_in_eight():
    # the figure: the Musudan succeeded in about 1 of 8 flights in 2016 -> 2/10
    assert CAT.missiles["musudan"].reliability.value == pytest.approx(0.2)


def test_a_reliability_above_one_in_a_user_catalog_is_one_line(catalog_with):
    bad = catalog_with(
        "missiles.yaml", "missiles", "nodong", "reliability", value=1.5, plausible=None, plausible_basis=None
    )
    with pytest.raises(BmdlabError) as exc:
        load_catalog(bad)
    msg = str(exc.value)
    assert "\n" not in msg and "missiles.nodong" in msg and "reliability" in msg and "1.5" in msg, msg
