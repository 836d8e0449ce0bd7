#!/usr/bin/env python3
"""Generates the synthetic sample month under examples/data/.

Every name, card and code here is invented; codes carry correct check
characters (GB 32100 / GB 11714) so that they parse. Deterministic: the same
script always writes the same files. Run from the repository root:

    python3 examples/data/generate.py
"""
import csv
import datetime as dt
import json
import random
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

OUT = Path(__file__).resolve().parent
rng = random.Random(20240301)
CST = dt.timezone(dt.timedelta(hours=8))

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code(body8: str) -> str:
    """GB 11714 organisation code: 8 characters plus a check character."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    def val(c):
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10
    s = sum(val(c) * w for c, w in zip(body8, weights))
    c = 11 - s % 11
    return body8 + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(division: str, body8: str) -> str:
    base = "91" + division + org_code(body8)
    s = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(base))
    return base + USCC_ALPHABET[(31 - s % 31) % 31]


OPERATORS = {
    # id: (name, taxpayer id, province, road kind, funding, tax method, construction start)
    "GD-EXP-OLD": ("广东示例高速公路有限公司", uscc("440100", "61840001"), "粤", "expressway", "operating", "simplified", "2009-06-18"),
    "GD-EXP-NEW": ("广东示例新干线高速有限公司", uscc("440300", "MA5G0002"), "粤", "expressway", "operating", "general", "2017-03-01"),
    "GD-GOV-G1": ("广东省示例公路事务中心", uscc("440100", "45560003"), "粤", "firstClass", "governmentRepaid", "general", ""),
    "HN-EXP-OLD": ("湖南示例高速公路集团有限公司", uscc("430100", "18370004"), "湘", "expressway", "operating", "simplified", "2010-11-02"),
    "HN-BRIDGE": ("湖南示例湘江大桥有限公司", uscc("430100", "73280005"), "湘", "bridge", "operating", "simplified", "2008-05-20"),
    "HN-GOV-EXP": ("湖南省示例收费公路管理处", uscc("430100", "44590006"), "湘", "expressway", "governmentRepaid", "general", ""),
}

ROUTES = [
    # (entry, exit, [operator ids])
    ("广州北", "深圳机场", ["GD-EXP-OLD", "GD-EXP-NEW"]),
    ("深圳机场", "广州北", ["GD-EXP-NEW", "GD-EXP-OLD"]),
    ("广州东", "佛山西", ["GD-EXP-OLD"]),
    ("佛山西", "广州东", ["GD-EXP-OLD"]),
    ("广州北", "从化", ["GD-GOV-G1"]),
    ("深圳南山", "东莞", ["GD-EXP-NEW"]),
    ("广州北", "长沙西", ["GD-EXP-OLD", "GD-GOV-G1", "HN-GOV-EXP", "HN-EXP-OLD"]),
    ("长沙西", "广州北", ["HN-EXP-OLD", "HN-GOV-EXP", "GD-GOV-G1", "GD-EXP-OLD"]),
    ("长沙南", "湘潭", ["HN-EXP-OLD", "HN-BRIDGE"]),
    ("湘潭", "株洲", ["HN-BRIDGE", "HN-EXP-OLD"]),
]

CARDS = [
    # card, type, vehicle id, class, routes it drives, trips
    ("44019912345678900011", "23", "粤B12345_0", "1", [0, 1, 2, 3, 4, 5, 6, 7], 26),
    ("44019912345678900022", "22", "粤BD12345_4", "1", [0, 1, 2, 3, 5], 18),
    ("43019987654321000033", "23", "湘A3M456_1", "13", [6, 7, 8, 9], 20),
]


def money(d: Decimal) -> str:
    return str(d.quantize(Decimal("0.01")))


def ts(t: dt.datetime) -> str:
    return t.isoformat()


def main():
    passages = []
    n = 0
    for card, ctype, vehicle, vclass, routes, trips in CARDS:
        for _ in range(trips):
            n += 1
            day = rng.randint(1, 31)
            exit_t = dt.datetime(2024, 3, day, rng.randint(6, 22), rng.randint(0, 59), rng.randint(0, 59), tzinfo=CST)
            route = ROUTES[rng.choice(routes)]
            minutes = 25 * len(route[2]) + rng.randint(5, 90)
            entry_t = exit_t - dt.timedelta(minutes=minutes)
            settled = exit_t + dt.timedelta(days=3, hours=rng.randint(0, 20))
            settled_s = ts(settled) if settled < dt.datetime(2024, 4, 2, tzinfo=CST) else ""
            medium = "obu"
            segs = []
            for op in route[2]:
                base = Decimal(rng.randint(300, 9000)) / 100
                if vclass == "13":
                    base = (base * Decimal("2.5")).quantize(Decimal("0.01"))
                receivable = base
                discount = (receivable * Decimal("0.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                charged = receivable - discount
                segs.append((op, receivable, discount, charged))
            pid = f"P{exit_t:%Y%m%d}{n:04d}"
            passages.append((exit_t, pid, card, ctype, vehicle, vclass, medium, route, entry_t, settled_s, segs))
    passages.sort(key=lambda p: (p[0], p[1]))

    header = ["passage_id", "card_number", "card_type", "vehicle_id", "vehicle_class", "medium",
              "entry_station", "entry_time", "exit_station", "exit_time", "settled_at",
              "operator_id", "operator_name", "operator_taxpayer_id", "province", "road_kind",
              "funding", "tax_method", "construction_start", "receivable", "discount", "charged"]
    with open(OUT / "passages-2024-03.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for exit_t, pid, card, ctype, vehicle, vclass, medium, route, entry_t, settled_s, segs in passages:
            for op, receivable, discount, charged in segs:
                name, tid, prov, road, funding, method, start = OPERATORS[op]
                w.writerow([pid, card, ctype, vehicle, vclass, medium, route[0], ts(entry_t), route[1], ts(exit_t),
                            settled_s, op, name, tid, prov, road, funding, method, start,
                            money(receivable), money(discount), money(charged)])

    records = []
    # Top-ups on the stored-value card: one invoiced at once (by the example), one not.
    sv = CARDS[1][0]
    for i, (day, amount) in enumerate([(1, "500.00"), (16, "300.00")], start=1):
        records.append({"type": "topUp", "id": f"T202403{day:02d}{i:04d}", "card": sv, "cardType": "22",
                        "time": ts(dt.datetime(2024, 3, day, 9, 15, tzinfo=CST)), "amount": amount})
    # A refund of an overcharge on the debit car's first passage.
    first_car = next(p for p in passages if p[2] == CARDS[0][0])
    records.append({"type": "refund", "id": "R202403200001", "card": CARDS[0][0],
                    "time": ts(dt.datetime(2024, 3, 20, 14, 0, tzinfo=CST)), "original": first_car[1],
                    "amount": "-3.20", "reason": "重复扣费退还"})
    # An audit-recovered toll on the truck: collected 45.60, invoiceable 42.00.
    name, tid, prov, road, funding, method, start = OPERATORS["HN-EXP-OLD"]
    records.append({"type": "recovery", "id": "A202403250001", "card": CARDS[2][0], "cardType": "23",
                    "vehicle": CARDS[2][2], "vehicleClass": CARDS[2][3],
                    "time": ts(dt.datetime(2024, 3, 25, 11, 0, tzinfo=CST)),
                    "amount": "45.60",
                    "segments": [{"operator": {"id": "HN-EXP-OLD", "name": name, "taxpayerId": tid},
                                  "province": prov, "roadKind": road, "funding": funding, "taxMethod": method,
                                  "constructionStart": start, "receivable": "42.00", "discount": "0.00",
                                  "charged": "42.00"}]})
    # The bank's statement for the debit car's March.
    lines = []
    for exit_t, pid, card, *_rest, segs in passages:
        if card == CARDS[0][0]:
            lines.append({"transaction": pid, "kind": "passage", "time": ts(exit_t),
                          "amount": money(sum((s[3] for s in segs), Decimal(0)))})
    lines.append({"transaction": "R202403200001", "kind": "refund",
                  "time": ts(dt.datetime(2024, 3, 20, 14, 0, tzinfo=CST)), "amount": "-3.20"})
    total = sum((Decimal(l["amount"]) for l in lines), Decimal(0))
    records.append({"type": "statement", "id": "S2024030001", "card": CARDS[0][0], "issuer": "示例银行广州分行",
                    "periodStart": "2024-03-01", "periodEnd": "2024-03-31",
                    "time": ts(dt.datetime(2024, 4, 2, 8, 0, tzinfo=CST)), "lines": lines, "total": money(total)})
    with open(OUT / "records-2024-03.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(passages)} passages, {sum(len(p[-1]) for p in passages)} segment rows, {len(records)} other records")


if __name__ == "__main__":
    main()
