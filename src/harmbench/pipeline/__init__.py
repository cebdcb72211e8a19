"""The pipeline's stages as functions over the run store."""
