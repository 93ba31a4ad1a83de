"""People's names for the demo data: program managers, district contacts and teachers.

One list for every demo that makes people, so they read alike across the program; each demo
draws from its own seeded `random.Random`, so a seed still gives the same names.
"""

import random

FIRST_NAMES = (
    "Aaliyah", "Aaron", "Adriana", "Ahmed", "Aiden", "Alejandro", "Amara", "Andre", "Anika",
    "Beatriz", "Benjamin", "Bianca", "Brandon", "Camila", "Carlos", "Chloe", "Colin", "Daniela",
    "Darius", "Deborah", "Desmond", "Elena", "Elijah", "Emeka", "Esther", "Farah", "Gabriel",
    "Grace", "Hannah", "Hector", "Hiroshi", "Imani", "Isaac", "Ivy", "Jamal", "Jasmine",
    "Javier", "Jenna", "Joaquin", "Julia", "Kai", "Keisha", "Kenji", "Laila", "Leah", "Liam",
    "Lucia", "Malik", "Maria", "Marcus", "Maya", "Mei", "Miguel", "Nadia", "Naomi", "Nathan",
    "Nia", "Noah", "Olivia", "Omar", "Paloma", "Peter", "Quinn", "Rafael", "Rania", "Rebecca",
    "Rosa", "Samir", "Sara", "Sean", "Sofia", "Tariq", "Theo", "Tiana", "Valeria", "Victor",
    "Wen", "Xavier", "Yasmin", "Zoe", "Adele", "Bruno", "Celeste", "Dmitri", "Eamon", "Fatima",
    "Gideon", "Harriet", "Ingrid", "Jonah", "Kiara", "Lorenzo", "Marisol", "Nikhil", "Odette",
    "Pilar", "Reuben", "Sunita", "Tobias", "Ursula", "Vivian", "Wesley", "Yusuf", "Zara",
)  # fmt: skip
LAST_NAMES = (
    "Abernathy", "Achebe", "Alvarado", "Bergstrom", "Blackwood", "Brennan", "Calloway",
    "Castillo", "Chandrasekar", "Delacroix", "Donovan", "Ellsworth", "Espinoza", "Fairweather",
    "Fitzgerald", "Galloway", "Greenfield", "Haddad", "Hargrove", "Hollis", "Ibarra", "Iverson",
    "Jablonski", "Kaminski", "Kealoha", "Kowalczyk", "Lachance", "Lindgren", "Mahoney",
    "Marquez", "McAllister", "Montgomery", "Nakamura", "Nkemelu", "Oduya", "Okonkwo",
    "Pemberton", "Petrakis", "Quintero", "Ramanathan", "Redcloud", "Rosenthal", "Saldana",
    "Sandoval", "Takahashi", "Thibodeaux", "Underwood", "Vasquez", "Villanueva", "Wainwright",
    "Whitcomb", "Yamamoto", "Yellowhorse", "Zielinski", "Zubiri", "Holloway", "Ashby",
    "Carrington", "Desai", "Engstrom", "Baptiste", "Cardenas", "Dunleavy", "Eriksen",
    "Ferreira", "Gutierrez", "Hashemi", "Jorgensen", "Kovacs", "Lombardi", "Mwangi", "Novak",
    "Ortega", "Park", "Rasmussen", "Soto", "Tran", "Vance", "Whitfield", "Xiong",
)  # fmt: skip


def random_name(rng: random.Random) -> tuple[str, str]:
    """A first and a last name."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
