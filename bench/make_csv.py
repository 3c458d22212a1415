"""Writes the CSV benchmark input of issue #3 (a): N rows x 12 mixed columns, deterministic.

    python bench/make_csv.py --rows 1000000 --out bench/results/mixed.csv
Columns: id int, customer bigint, amount numeric(10,2), ratio double, qty int, name text,
city text, day date, seen_at timestamp, active bool, code text, note text (some NULL)."""
import argparse
import random


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(42)
    cities = ["Brussels", "Zürich", "São Paulo", "Seattle", "Tokyo", "Lagos", "Lima, Peru"]
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write("id,customer,amount,ratio,qty,name,city,day,seen_at,active,code,note\n")
        for i in range(args.rows):
            city = cities[i % len(cities)]
            city = f'"{city}"' if "," in city else city
            note = "" if i % 5 == 0 else f"note {rng.randrange(1000)}"
            f.write(f"{i},{3_000_000_000 + i * 7},{rng.randrange(100000) / 100:.2f},{rng.random():.6f},"
                    f"{rng.randrange(1, 50)},customer {i % 50000},{city},"
                    f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d},"
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d},"
                    f"{'true' if i % 3 else 'false'},C{i % 997:04d},{note}\n")


if __name__ == "__main__":
    main()
