package io.xdpmesh.control.cli;

import io.xdpmesh.control.json.JsonText;

/** JSON output helpers for the CLI (see {@link JsonText}). */
final class Json {
    private Json() {}

    static String str(String s) {
        return JsonText.str(s);
    }
}
