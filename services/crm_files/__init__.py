"""The activities logged in the app, written as the CRMs' own import files (Salesforce
tasks, HubSpot activities, a plain CSV), each export after the last one to the same CRM.
"""

from services.crm_files.export import (
    TARGET_TITLES,
    ActivitiesExport,
    CrmExportError,
    ExportPlan,
    export_activities,
    plan_export,
)

__all__ = [
    "TARGET_TITLES",
    "ActivitiesExport",
    "CrmExportError",
    "ExportPlan",
    "export_activities",
    "plan_export",
]
