"""Charts: session state to character grids (plotext behind `plotext_adapter`), then to strips or text."""
