"""Hand-written helpers of the golden fixture: generation keeps this file as it is."""

GREETING = "kept across regenerations"
