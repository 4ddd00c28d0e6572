"""One plain-text table of every figure, with its ratios to the baselines and the goals."""

COLUMNS = [
    ("scenario", "{:<30}"),
    ("server", "{:<12}"),
    ("figure", "{:>12}"),
    ("unit", "{:<16}"),
    ("p50 ms", "{:>8}"),
    ("p99 ms", "{:>8}"),
    ("max ms", "{:>8}"),
    ("lost", "{:>5}"),
    ("dup", "{:>5}"),
    ("cpu us/dlv", "{:>10}"),
    ("x B0", "{:>6}"),
    ("x B1", "{:>6}"),
    ("goal", "{:<30}"),
]


def cell(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(rows):
    header = " ".join(fmt.format(name) for name, fmt in COLUMNS)
    lines = [header, "-" * len(header)]
    for row in rows:
        values = [
            row["scenario"],
            row["server"],
            cell(row["figure"], 0 if (row["figure"] or 0) >= 100 else 1),
            row["unit"],
            cell(row.get("p50_ms")),
            cell(row.get("p99_ms")),
            cell(row.get("max_ms")),
            cell(row.get("lost")),
            cell(row.get("duplicated")),
            cell(row.get("cpu_us")),
            cell(row.get("x_b0"), 2),
            cell(row.get("x_b1"), 2),
            row.get("goal", ""),
        ]
        lines.append(" ".join(fmt.format(v) for (_, fmt), v in zip(COLUMNS, values, strict=True)))
    return "\n".join(lines)
