from cs_analytics.core.formatting import compact_money


def test_compact_money():
    assert compact_money(3_482_123) == "3.48M"
    assert compact_money(45_600) == "45.6k"
    assert compact_money(950) == "950"
    assert compact_money(1_133_874, signed=True) == "+1.13M"
    assert compact_money(-2_500, signed=True) == "-2,500"
