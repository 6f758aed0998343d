"""What demo leads say: contact names, companies, messages and reasons for losing them.

``PLAIN_WORDS`` also words the descriptions of demo partners (core.demo.words).
"""

from __future__ import annotations

PLAIN_WORDS = {
    "hardware": "PCs, servers and printers", "networking": "office networks and Wi-Fi",
    "security": "cybersecurity", "storage_backup": "backup and disaster recovery",
    "cloud": "cloud migration and hosting", "productivity": "Microsoft 365 and Google Workspace",
    "business_apps": "accounting, ERP and CRM software",
    "collaboration": "Teams and video meeting rooms",
    "telecom": "business phone systems and internet lines",
    "mobile": "smartphones and tablets", "managed_it": "managed IT support",
    "data_analytics": "reports, dashboards and analytics",
    "iot": "connected sensors and cameras", "financing": "leasing and financing",
    "logistics": "delivery and multi-site rollouts", "insurance": "cyber insurance",
    "print_services": "managed print",
}  # fmt: skip
FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Daniel", "Priya", "Kevin", "Sofia",
    "Marcus", "Hannah", "Luis", "Grace", "Omar", "Rachel", "Tyler", "Mei", "Jorge", "Linda",
    "Andre", "Keiko", "Sam", "Fatima",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Lee", "Gonzalez", "Brown", "Nguyen", "Davis", "Martinez", "Wilson", "Khan",
    "Anderson", "Thomas", "Moore", "Jackson", "Wright", "Flores", "Park", "Rivera", "Campbell",
    "Mitchell", "Turner",
)  # fmt: skip
BUSINESSES = (
    "Dental", "Law", "Realty", "Construction", "Clinic", "Accounting", "Bakery", "Auto Repair",
    "Logistics", "Architects", "Veterinary", "Insurance Agency", "Manufacturing", "Farms",
    "Hotel", "Salon",
)  # fmt: skip
MESSAGES = (
    "We need help with {needs}.",
    "Looking for a local partner for {needs}. We are about {people} people.",
    "Our IT person is leaving; we need {needs} soon.",
    "Please call me about {needs} for our new office.",
    "We want quotes for {needs} before the end of the quarter.",
)
LOST_REASONS = (
    "chose another provider", "price too high", "project postponed", "no budget this year",
    "customer stopped answering", "decided to keep it in-house",
)  # fmt: skip
