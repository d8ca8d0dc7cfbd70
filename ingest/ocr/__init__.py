"""OCR for scans: page images (`pages`), the engines that read them (`engines`), and progress."""
