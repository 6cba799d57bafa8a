"""moto_server with the two Step Functions actions that moto 5.2.1 answers with HTTP 500.

The AWS provider calls ValidateStateMachineDefinition and ListStateMachineVersions while planning
and applying aws_sfn_state_machine, and retries a 500 for more than 10 minutes. This wrapper adds
answers that match the API's documented shapes and otherwise starts moto's own server unchanged.
Usage: python3 moto_server_wrapper.py -H 127.0.0.1 -p PORT
"""
import json
import sys

from moto.stepfunctions.responses import StepFunctionResponse


def validate_state_machine_definition(self):
    params = json.loads(self.body or "{}")
    definition = params.get("definition", "")
    try:
        parsed = json.loads(definition)
        ok = isinstance(parsed, dict) and "States" in parsed and "StartAt" in parsed
    except ValueError:
        ok = False
    if ok:
        return json.dumps({"result": "OK", "diagnostics": []})
    return json.dumps({
        "result": "FAIL",
        "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                         "message": "definition is not a JSON object with StartAt and States", "location": "/"}],
    })


def list_state_machine_versions(self):
    return json.dumps({"stateMachineVersions": []})


StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
StepFunctionResponse.list_state_machine_versions = list_state_machine_versions

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
