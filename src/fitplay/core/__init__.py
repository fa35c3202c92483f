"""Pure numerics: data, models, losses, training and the session state. No UI imports."""
