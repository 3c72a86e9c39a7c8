"""Contains all the data models used in inputs/outputs"""

from .agent_definition import AgentDefinition
from .artifact_detail import ArtifactDetail
from .artifact_detail_kind import ArtifactDetailKind
from .artifact_detail_tags import ArtifactDetailTags
from .artifact_page import ArtifactPage
from .artifact_policy import ArtifactPolicy
from .artifact_policy_compatibility import ArtifactPolicyCompatibility
from .artifact_policy_kind import ArtifactPolicyKind
from .artifact_policy_override_type_0 import ArtifactPolicyOverrideType0
from .artifact_policy_source import ArtifactPolicySource
from .artifact_summary import ArtifactSummary
from .artifact_summary_kind import ArtifactSummaryKind
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .batch_result import BatchResult
from .dependent import Dependent
from .dependent_kind import DependentKind
from .dependent_list import DependentList
from .deprecate_request import DeprecateRequest
from .diff_agent_versions_format import DiffAgentVersionsFormat
from .diff_grant import DiffGrant
from .diff_skill import DiffSkill
from .diff_skill_versions_format import DiffSkillVersionsFormat
from .field_change import FieldChange
from .field_change_change import FieldChangeChange
from .file_manifest import FileManifest
from .get_jwks_response_200 import GetJwksResponse200
from .get_jwks_response_200_keys_item import GetJwksResponse200KeysItem
from .get_profile_format_type_0 import GetProfileFormatType0
from .get_profile_signature_format_type_0 import GetProfileSignatureFormatType0
from .grant_changes import GrantChanges
from .health import Health
from .mode_change import ModeChange
from .mode_change_from import ModeChangeFrom
from .mode_change_to import ModeChangeTo
from .moved_skill import MovedSkill
from .namespace_policy import NamespacePolicy
from .namespace_policy_compatibility import NamespacePolicyCompatibility
from .namespace_policy_source import NamespacePolicySource
from .policy_request import PolicyRequest
from .policy_request_compatibility import PolicyRequestCompatibility
from .problem import Problem
from .problem_item import ProblemItem
from .problem_item_severity import ProblemItemSeverity
from .profile import Profile
from .profile_frontmatter import ProfileFrontmatter
from .profile_lock import ProfileLock
from .profile_lock_additional_property import ProfileLockAdditionalProperty
from .profile_lock_additional_property_additional_property import ProfileLockAdditionalPropertyAdditionalProperty
from .profile_skill import ProfileSkill
from .profile_tools import ProfileTools
from .profile_tools_denied_item import ProfileToolsDeniedItem
from .profile_tools_ignored_item import ProfileToolsIgnoredItem
from .profile_tools_mode import ProfileToolsMode
from .profile_tools_ungranted_item import ProfileToolsUngrantedItem
from .publish_toolset_version_body import PublishToolsetVersionBody
from .publish_toolset_version_body_metadata import PublishToolsetVersionBodyMetadata
from .readiness import Readiness
from .skill_changes import SkillChanges
from .skill_file import SkillFile
from .tag_request import TagRequest
from .tagged import Tagged
from .tagged_kind import TaggedKind
from .tool_grant import ToolGrant
from .validate_kind import ValidateKind
from .validation_report import ValidationReport
from .validation_report_frontmatter_type_0 import ValidationReportFrontmatterType0
from .validation_report_kind import ValidationReportKind
from .version_detail import VersionDetail
from .version_detail_frontmatter import VersionDetailFrontmatter
from .version_detail_kind import VersionDetailKind
from .version_detail_lock import VersionDetailLock
from .version_diff import VersionDiff
from .version_diff_kind import VersionDiffKind
from .version_summary import VersionSummary
from .yank_request import YankRequest

__all__ = (
    "AgentDefinition",
    "ArtifactDetail",
    "ArtifactDetailKind",
    "ArtifactDetailTags",
    "ArtifactPage",
    "ArtifactPolicy",
    "ArtifactPolicyCompatibility",
    "ArtifactPolicyKind",
    "ArtifactPolicyOverrideType0",
    "ArtifactPolicySource",
    "ArtifactSummary",
    "ArtifactSummaryKind",
    "BatchRequest",
    "BatchResponse",
    "BatchResult",
    "Dependent",
    "DependentKind",
    "DependentList",
    "DeprecateRequest",
    "DiffAgentVersionsFormat",
    "DiffGrant",
    "DiffSkill",
    "DiffSkillVersionsFormat",
    "FieldChange",
    "FieldChangeChange",
    "FileManifest",
    "GetJwksResponse200",
    "GetJwksResponse200KeysItem",
    "GetProfileFormatType0",
    "GetProfileSignatureFormatType0",
    "GrantChanges",
    "Health",
    "ModeChange",
    "ModeChangeFrom",
    "ModeChangeTo",
    "MovedSkill",
    "NamespacePolicy",
    "NamespacePolicyCompatibility",
    "NamespacePolicySource",
    "PolicyRequest",
    "PolicyRequestCompatibility",
    "Problem",
    "ProblemItem",
    "ProblemItemSeverity",
    "Profile",
    "ProfileFrontmatter",
    "ProfileLock",
    "ProfileLockAdditionalProperty",
    "ProfileLockAdditionalPropertyAdditionalProperty",
    "ProfileSkill",
    "ProfileTools",
    "ProfileToolsDeniedItem",
    "ProfileToolsIgnoredItem",
    "ProfileToolsMode",
    "ProfileToolsUngrantedItem",
    "PublishToolsetVersionBody",
    "PublishToolsetVersionBodyMetadata",
    "Readiness",
    "SkillChanges",
    "SkillFile",
    "Tagged",
    "TaggedKind",
    "TagRequest",
    "ToolGrant",
    "ValidateKind",
    "ValidationReport",
    "ValidationReportFrontmatterType0",
    "ValidationReportKind",
    "VersionDetail",
    "VersionDetailFrontmatter",
    "VersionDetailKind",
    "VersionDetailLock",
    "VersionDiff",
    "VersionDiffKind",
    "VersionSummary",
    "YankRequest",
)
