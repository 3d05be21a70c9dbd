"""Dashboard widgets: figures (pure data -> go.Figure), number formatting, cards, the grid,
the card editor and the toolbar. Each widget owns its ids and callbacks."""
