"""Writes the made-up example data sets of docs/getting-started.md (deterministic: run it again, get the same files).

houses.csv      200 houses: size (m²), rooms, age (years) and a price = 2000·size + 10000·rooms − 500·age + 50000 + noise
new-houses.csv  5 houses without a price, columns in another order (predict matches columns by name)
flowers.csv     150 flowers: four measurements (cm) and a species name, three well-separated kinds
"""
import random

r = random.Random(1)
rows = []
for _ in range(200):
    size = r.gauss(150, 40)
    rooms = max(1, round(size / 30 + r.gauss(0, 0.7)))
    age = r.uniform(0, 50)
    price = 2000 * size + 10000 * rooms - 500 * age + 50000 + r.gauss(0, 20000)
    rows.append((round(size, 1), rooms, round(age, 1), round(price)))
with open("houses.csv", "w") as f:
    f.write("size,rooms,age,price\n")
    f.writelines(f"{s},{n},{a},{p}\n" for s, n, a, p in rows)

with open("new-houses.csv", "w") as f:
    f.write("age,rooms,size\n")
    f.writelines(f"{a},{n},{s}\n" for s, n, a in [(60.0, 2, 35.0), (95.5, 3, 12.0), (140.0, 5, 3.5), (180.0, 6, 20.0), (240.0, 8, 48.0)])

names = ["setosa", "versicolor", "virginica"]
centres = [(5.0, 3.4, 1.5, 0.2), (5.9, 2.8, 4.3, 1.3), (6.6, 3.0, 5.4, 1.9)]
with open("flowers.csv", "w") as f:
    f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
    for i in range(150):
        k = r.randrange(3)
        f.write(",".join(str(round(c + r.gauss(0, 0.3), 2)) for c in centres[k]) + "," + names[k] + "\n")
