"""Chat: a question's intent, one handler per intent, the evidence, the Vietnamese sentences, the conversations."""
