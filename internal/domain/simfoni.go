package domain

// The reference lists of SIMFONI-PPA, the ministry's case recording system
// every office must fill, as lindu holds them: stable codes (labels are
// texts: "edu.sd", "occ.student"...). A list changes only by adding codes;
// a code is never reused for another meaning. SIMFONIVersion names this
// edition; exports carry it.

// SIMFONIVersion is the edition of the reference lists below.
const SIMFONIVersion = "2024.1"

// Educations of a victim or perpetrator (pendidikan).
var Educations = []string{"none", "preschool", "primary", "junior", "senior", "higher", "unknown"}

// Occupations of a victim or perpetrator (pekerjaan).
var Occupations = []string{"not_working", "student", "housekeeping", "civil_servant", "private_employee",
	"self_employed", "farmer_fisher", "labourer", "domestic_worker", "migrant_worker", "other", "unknown"}

// MaritalStatuses of a victim (status perkawinan).
var MaritalStatuses = []string{"unmarried", "married", "divorced", "widowed", "unknown"}

// Disabilities are the kinds of disability of UU 8/2016 (ragam
// disabilitas); a victim may have several. Health data: sealed.
var Disabilities = []string{"physical", "intellectual", "mental", "sight", "hearing", "speech", "multiple"}

// ValidEducation, ValidOccupation, ValidMarital and ValidDisability accept
// a code of their list; the empty string is "not recorded".
func ValidEducation(v string) bool  { return v == "" || inList(v, Educations) }
func ValidOccupation(v string) bool { return v == "" || inList(v, Occupations) }
func ValidMarital(v string) bool    { return v == "" || inList(v, MaritalStatuses) }
func ValidDisability(v string) bool { return inList(v, Disabilities) }
