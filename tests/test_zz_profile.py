import cProfile, pstats, time
from tests.conftest import Served

def test_profile(served: Served) -> None:
    numbers = [r["number"] for _, r in served.firms] + [r["number"] for _, r, _ in served.planners]
    client = served.client
    for n in numbers: client.get(f"/api/v1/certificates/{n}")
    t = time.perf_counter()
    for i in range(500): client.get(f"/api/v1/certificates/{numbers[i % len(numbers)]}")
    print("per request ms", (time.perf_counter() - t) * 2)
    pr = cProfile.Profile(); pr.enable()
    for i in range(500): client.get(f"/api/v1/certificates/{numbers[i % len(numbers)]}")
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(45)
