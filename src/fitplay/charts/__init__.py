"""Charts: session state to character grids (axes laid out as plotext lays them, in `axes`), then to strips or text."""
