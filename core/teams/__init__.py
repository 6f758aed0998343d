"""Read side: the smallest team of nearby partners covering every need (exact solver),
its query, explanations and complementary partners. Index and query in, dataclasses out."""
