def average(xs):
    total = 0
    for i in range(len(xs)):
        total = total + xs[i]
    return total / len(xs)
