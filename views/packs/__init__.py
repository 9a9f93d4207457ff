"""Review packs in the window: the charts drawn as pictures, the PDF, the dialog."""
