"""The default taxonomy's label sets (the shipped model predicts these)."""

DEFAULT_TOPICS = ("billing", "refund", "delivery", "product_defect", "technical", "account",
                  "service_quality", "security_privacy", "cancellation", "general")
URGENCY_LEVELS = ("low", "medium", "high", "critical")
SENTIMENTS = ("negative", "neutral", "positive")
