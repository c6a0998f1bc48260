"""consensus_desktop: find a statement a citizens' jury can agree with, offline.

The package is laid out as the method's pipeline:

    prompts   -> the jury prompt built from the question and opinions
    engine    -> candidate statements sampled from a local GGUF model (llama.cpp)
    reward    -> each participant's predicted agreement with each candidate
    welfare   -> social welfare ranking (utilitarian ... Nash ... Rawlsian), Schulze, group metrics
    store     -> everything logged to SQLite, sessions exported as one file
    pipeline  -> the headless run that chains the above
    gui       -> the PySide6 skin (the only package that imports Qt)
"""

__version__ = "0.1.0"
