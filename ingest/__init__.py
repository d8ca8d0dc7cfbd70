"""Reading directives (text, Markdown, PDF, Word) into the document model."""
